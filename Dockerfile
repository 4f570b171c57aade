# qib-bot: a slim, non-root image. The build stage installs the package into a virtual environment;
# the final stage copies only that environment, so no pip, compilers or sources come along.
ARG PYTHON=python:3.11-slim-bookworm

FROM ${PYTHON} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/qib
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY handlers handlers
COPY models models
COPY seeds seeds
RUN /opt/qib/bin/pip install . \
    && /opt/qib/bin/pip uninstall --yes pip setuptools

FROM ${PYTHON}
RUN groupadd --system --gid 10001 qib \
    && useradd --system --uid 10001 --gid qib --home-dir /app --shell /usr/sbin/nologin qib \
    && mkdir /app && chown qib:qib /app
COPY --from=build /opt/qib /opt/qib
COPY docker/entrypoint.sh /usr/local/bin/qib-entrypoint
ENV PATH=/opt/qib/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    QIB_HTTP=true \
    QIB_PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
USER qib
EXPOSE 3000
# /healthz answers 200 while the database answers, 503 when it does not (no curl in a slim image).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('QIB_PORT', '3000') + '/healthz', timeout=4)"]
ENTRYPOINT ["qib-entrypoint"]
CMD ["qib", "run", "--http"]
