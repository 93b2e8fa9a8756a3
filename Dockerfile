# tornado-boilerplate server image: `docker-compose up --build` runs it with MongoDB and etcd.
# The Python series matches .python-version; the patch release and Debian release are pinned for reproducible builds.

# Build stage: install the locked runtime dependencies (exact versions, hashes checked) into a virtual environment.
FROM python:3.11.13-slim-bookworm AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
# setuptools' distutils-precedence.pth would be imported at every start and consulted by every import after it; the
# server builds no packages (see the Makefile's drop_distutils_hook).
RUN /opt/venv/bin/pip install --no-deps --require-hashes --requirement /tmp/requirements.txt \
    && rm -f /opt/venv/lib/python3*/site-packages/distutils-precedence.pth

# Runtime stage: the interpreter, the virtual environment and only the files the server runs.
FROM python:3.11.13-slim-bookworm AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# A fixed, unprivileged user, numeric in USER so runtimes can verify it is not root. The code stays root-owned
# (read-only to the server); only logs/ and data/ are writable.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY server.py ./
COPY src/ src/
COPY views/ views/
COPY configs/ configs/
# The bytecode, compiled once here: with PYTHONDONTWRITEBYTECODE (and code the server cannot write) every start
# would compile every module of src/ again, about a third of the start-up time.
RUN python -m compileall -q src
# keys/ stays empty: TLS material is mounted at run time, never baked into the image.
RUN mkdir keys logs data && chown app:app logs data

USER 10001:10001

# Settings the server reads from the environment (see `python server.py -h`); override them with `-e` or in
# docker-compose.yml. The service names of docker-compose.yml are the default hosts.
ENV TB_ENV=prod \
    MONGODB_HOST=mongodb \
    TB_LOCK_SERVER_HOST=etcd

EXPOSE 5000

# Liveness through /ping with the interpreter already in the image (no curl); same port resolution as the server.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; port = os.environ.get('TB_PORT') or os.environ.get('PORT') or '5000'; urllib.request.urlopen(f'http://127.0.0.1:{port.strip()}/ping', timeout=4)"]

# The server is PID 1 (exec form, no shell): it handles SIGTERM itself, drains in-flight requests and exits 0; the
# supervisor of --proc forwards the signal to its workers and reaps every child, so no init process is needed.
STOPSIGNAL SIGTERM
CMD ["python", "server.py", "--proc", "2", "--lock_server"]
