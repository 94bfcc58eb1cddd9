# Sourced by ./kval and infra/setup: where kval keeps its cache and state, and how tests reach dockerd.
# Every value can be overridden from the environment.
KVAL_HOME="${KVAL_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export KVAL_CACHE="${KVAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kval}"
export KVAL_STATE="${KVAL_STATE:-$KVAL_CACHE/state}"
export DOCKER_HOST="${DOCKER_HOST:-unix://$KVAL_STATE/docker/docker.sock}"
# No registry is reachable: never try to pull Ryuk, and never probe a gateway image.
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE="${TESTCONTAINERS_HOST_OVERRIDE:-localhost}"
export MAVEN_OPTS="${MAVEN_OPTS:-} -Dquarkus.analytics.disabled=true"
