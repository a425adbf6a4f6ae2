# The FairBid service (API and consumer) for the Docker backend. Users build it from the public
# Python image; the project's own tests pass a local base image built from Debian packages.
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}
WORKDIR /app
COPY requirements-service.txt /app/
RUN pip install --no-cache-dir -r requirements-service.txt
COPY fairbid /app/fairbid
ENV PYTHONUNBUFFERED=1
CMD ["python", "-m", "fairbid.api"]
