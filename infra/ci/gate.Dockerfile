# The image infra/ci/gate-sandbox runs pull-request kernels' builds and boots in (as nobody, thrown away after).
# Built from trusted files only (kval's infra/, never the PR's tree):
#   docker build -t kval/gate -f infra/ci/gate.Dockerfile infra
FROM debian:12
COPY setup env.sh /opt/kval-setup/infra/
# the Debian packages kval needs anywhere, from the same list infra/setup keeps; no LAVA lab, no dockerd in the image
RUN KVAL_NO_LAVA=1 KVAL_NO_DOCKER=1 /opt/kval-setup/infra/setup --quiet && rm -rf /var/lib/apt/lists/*
