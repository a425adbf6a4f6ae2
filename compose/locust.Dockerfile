# Locust workers for Docker users, from the public Python image (the project's offline tests build
# the same image from Debian packages: scripts/docker-engine.sh). The code is mounted, not copied.
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
ENV PYTHONPATH=/app PYTHONUNBUFFERED=1
WORKDIR /tmp
