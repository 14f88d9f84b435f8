# Atrium's production image: one image for `atrium api`, `atrium worker` and `atrium migrate`.
# temporal-compose.yml runs it; tests/test_compose.py checks this file against pyproject.toml,
# ui/package.json and the compose file (no Docker engine runs on the development machines).

# --- stage 1: the console, built with npm from the lock file --------------------------------
FROM node:20-bookworm-slim AS console
WORKDIR /src/ui
COPY ui/package.json ui/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY ui/ ./
RUN npm run build

# --- stage 2: the Python packages, installed into a virtualenv ------------------------------
FROM python:3.11-slim-bookworm AS python
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/atrium
WORKDIR /app
COPY pyproject.toml README.md ./
COPY atrium/ atrium/
COPY api/ api/
COPY workflows/ workflows/
COPY activities/ activities/
COPY connectors/ connectors/
COPY sandbox/ sandbox/
COPY bench/ bench/
COPY worker.py ./
# Editable: the API serves the console from <source>/ui/dist, next to the packages.
RUN /opt/atrium/bin/pip install -e .

# --- stage 3: the runtime, as an unprivileged user ------------------------------------------
FROM python:3.11-slim-bookworm
ENV PATH=/opt/atrium/bin:$PATH PYTHONUNBUFFERED=1 \
    ATRIUM_ENV=production ATRIUM_STATE_DIR=/var/lib/atrium ATRIUM_LOG_JSON=true
RUN groupadd --system --gid 10001 atrium \
 && useradd --system --uid 10001 --gid atrium --home-dir /var/lib/atrium --create-home atrium \
 && chmod 0700 /var/lib/atrium
COPY --from=python /opt/atrium /opt/atrium
COPY --from=python /app /app
COPY --from=console /src/ui/dist /app/ui/dist
WORKDIR /app
USER atrium:atrium
EXPOSE 8000 9000 9001
# The API's liveness; workers override it in the compose file (their metrics port answers).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2); sys.exit(0)"]
CMD ["atrium", "api"]
