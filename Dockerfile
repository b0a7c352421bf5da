# The helpline's image: one image for the bots, the console and the one-shot migration
# (docker/entrypoint.sh chooses; compose.yaml runs them). README: Running in production.

# -- build: the virtual environment, with pip and setuptools, which the final image leaves out.
FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /opt/venv
COPY pyproject.toml README.md alembic.ini ./
COPY bot bot
COPY console console
COPY flows flows
COPY storage storage
# Editable: the code, its data and its catalogs stay together in /app (bot/config.py and
# bot/i18n.py find data/ and locales/ beside the packages). Every dependency has a wheel.
RUN /opt/venv/bin/pip install -e . \
    && /opt/venv/bin/pip uninstall -y pip setuptools

# -- final: slim, no compiler, no pip, a user without rights.
FROM python:3.12-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HELPLINE_ENV=production \
    TELEGRAM_WEBHOOK_LISTEN=0.0.0.0 \
    HELPLINE_CONSOLE_LISTEN=0.0.0.0
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin helpline
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY data data
COPY locales locales
COPY docker/entrypoint.sh /usr/local/bin/helpline-entrypoint
USER helpline
EXPOSE 8080 8090
ENTRYPOINT ["/usr/local/bin/helpline-entrypoint"]
CMD ["bot"]
