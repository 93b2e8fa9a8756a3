# Stand-in for docker-compose.yml's etcd image: Debian's etcd (v2 API with --enable-v2=true) and etcdctl (v3 API).
FROM tornado-boilerplate-stand-in/debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends etcd-server etcd-client \
    && rm -rf /var/lib/apt/lists/*
ENV ETCDCTL_API=3
CMD ["etcd"]
