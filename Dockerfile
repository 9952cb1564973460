# The operator's image, for users with a container engine: `make image` (tag onex-infra-operator:<version>).
# It is not built on the machines this project is developed on (no container engine); instead
# tests/unit/test_dockerfile.py copies what the COPY lines copy, runs the same `pip install` in a fresh
# venv and starts the entrypoint with --help.
# No secret is baked in: the pod reads its service-account token and the Secrets it is pointed at.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# uid/gid 10001: the chart's securityContext (runAsUser/runAsGroup 10001, runAsNonRoot)
RUN groupadd --gid 10001 onex \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin onex

COPY pyproject.toml README.md /src/
COPY operator /src/operator
# the runtime dependencies only (no dev extras)
RUN pip install /src

USER 10001:10001
WORKDIR /tmp
EXPOSE 8080
ENTRYPOINT ["onex-infra", "run"]
