# Stand-in for the Dockerfile's python:3.11.x-slim-bookworm base (no registry here): Debian bookworm's Python 3.11
# with `python` and pip's venv support where the official image has them, trusting the host's CA bundle (HTTPS to
# the package index may pass through a proxy whose CA only the host knows).
FROM tornado-boilerplate-stand-in/debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && ln -s /usr/bin/python3 /usr/local/bin/python
COPY host-ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV LANG=C.UTF-8 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
CMD ["python3"]
