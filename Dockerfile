# syntax=docker/dockerfile:1
# lamplight as a container: `docker compose up -d` (see README, "Deploy"), or
#   docker build -t lamplight . && docker run -d --env-file .env -v lamplight-data:/data lamplight

# --- builder: lamplight's wheel and a wheel for each of its dependencies -------------------
FROM python:3.12-slim-bookworm AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# Only what the wheel is made of (see .dockerignore), so editing tests rebuilds nothing.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY jobs ./jobs
COPY migrations ./migrations
COPY examples ./examples
# The same PEP 517 build as `python -m build --wheel`; pip also gathers every dependency
# as a wheel, so the final stage needs no compiler and no source tree.
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# --- final: the wheel and its dependencies on a slim Python, run by a user without rights ---
FROM python:3.12-slim-bookworm

LABEL org.opencontainers.image.title="lamplight" \
      org.opencontainers.image.description="A self-hosted Telegram bot: a daily AI reading digest from your own notes and newsletters." \
      org.opencontainers.image.licenses="MIT"

RUN groupadd --system --gid 10001 lamplight \
    && useradd --system --uid 10001 --gid lamplight --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin lamplight \
    && install -d -o lamplight -g lamplight -m 0750 /data

# Installed from the builder's wheels through a bind mount: they never become a layer.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels /wheels/lamplight-*.whl

# The mojibake repair's model is built once, here, from the corpora its packages ship (about
# 35 s and 400 MB): a running container never pays that on its first mojibaked line.
ENV LAMPLIGHT_CACHE_DIR=/opt/lamplight/cache
RUN lamplight repair --build-model && chmod -R a+rX /opt/lamplight

# MPLCONFIGDIR: matplotlib (/stats) keeps its font cache in the volume, not a missing home.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LAMPLIGHT_DATA_DIR=/data \
    MPLCONFIGDIR=/data/.matplotlib

# The SQLite store (when DATABASE_URL is not set), the heartbeat and notes to import live
# here; relative paths given to `lamplight import` resolve here too.
VOLUME ["/data"]
WORKDIR /data
# Numeric, so a host (or Kubernetes' runAsNonRoot) can tell it is not root.
USER 10001:10001

# A health check that says whether the bot polls and the store answers: it reads the
# heartbeat the running bot writes to /data after each poll.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["lamplight", "health"]

# On SIGTERM polling ends, a digest run under way sends and records the messages it has
# claimed and leaves the rest pending, and the next start sends those once.
STOPSIGNAL SIGTERM

# Every lamplight command upgrades the store's schema on first use (Alembic), so `run`
# applies new migrations at start: upgrading is pulling a new image and starting it.
ENTRYPOINT ["lamplight"]
CMD ["run"]
