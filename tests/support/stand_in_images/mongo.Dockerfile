# Stand-in for docker-compose.yml's mongo image: nx-27017 (a MongoDB wire-protocol server on SQLite) on port 27017
# with its data in /data/db, and a `mongosh` that answers the compose file's healthcheck.
ARG PYTHON_BASE
FROM ${PYTHON_BASE}
RUN python -m venv /opt/nx-27017 \
    && /opt/nx-27017/bin/pip install --no-cache-dir --disable-pip-version-check nx-27017==0.8.1 \
    && mkdir -p /data/db
COPY mongosh.py /usr/local/bin/mongosh
COPY nx-27017-service.py /usr/local/bin/nx-27017-service
VOLUME /data/db
EXPOSE 27017
CMD ["nx-27017-service", "--host", "0.0.0.0", "--port", "27017", "--data-dir", "/data/db", \
     "--log-file", "/dev/stdout", "--pid-file", "/tmp/nx-27017.pid"]
