# Dropout Lab — the Streamlit app in a CPU-only image.
#   docker build -t dropout-lab .
#   docker run --rm -p 8501:8501 dropout-lab          # then open http://localhost:8501
#   docker run --rm dropout-lab python -m dropout_viz train --help   # the CLI, same image
# tests/deploy/ parses this file and runs its CMD, ENV and HEALTHCHECK outside Docker.
FROM python:3.11-slim

# OMP_NUM_THREADS=1: every browser session trains in its own thread; one OpenMP
# thread per op keeps a few sessions from oversubscribing the container's CPUs.
# No start banner: its URLs are the container's, not the host's, and building it
# headless asks an outside IP-echo service for the "External URL" at every start.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OMP_NUM_THREADS=1 \
    STREAMLIT_LOGGER_HIDE_WELCOME_MESSAGE=true

# A numeric USER lets orchestrators (e.g. Kubernetes runAsNonRoot) check it is not root.
RUN groupadd --gid 1000 app \
    && useradd --create-home --no-log-init --uid 1000 --gid 1000 --shell /usr/sbin/nologin app

WORKDIR /app

# CPU-only torch in its own layer, from PyTorch's CPU index (no CUDA wheels).
# Its version, 2.13.0+cpu, satisfies requirements.txt's torch==2.13.0, so the
# next layer finds torch already installed and pulls nothing from PyPI for it.
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# Code last, so editing it rebuilds only this layer. Owned by root: the app
# user can read it but not change it. .dockerignore keeps .venv, .git, tests out.
COPY . .

USER 1000:1000

EXPOSE 8501

# Slim images have no curl; Python's urllib asks the server itself. A 503 while
# starting or stopping raises, so the check exits 1 (unhealthy).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4); sys.exit(r.read() != b'ok')"]

# No ENTRYPOINT: `docker run dropout-lab <command>` replaces the app with e.g. the CLI.
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true"]
