# kraken-futures-mock: the simulated Kraken Futures exchange as a container.
#   docker build -t kraken-futures-mock . && docker run -p 8000:8000 kraken-futures-mock
# One uvicorn worker (`kraken-mock serve`): the exchange lives in that worker's event loop, a
# second worker would be a second, unrelated exchange. Settings come from KRAKEN_MOCK_*
# variables (docs/cli.md); docker-compose.yml sets them. The health route is /__admin/health.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY mock_exchange ./mock_exchange
COPY client ./client
COPY scenarios ./scenarios
RUN pip install . \
    && useradd --create-home --uid 10001 kraken \
    && rm -rf /src

USER kraken
WORKDIR /home/kraken
EXPOSE 8000

# python, not curl: the slim image has no curl.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=10 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/__admin/health', timeout=2).status != 200)"]

ENTRYPOINT ["kraken-mock"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
