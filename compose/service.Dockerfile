# The FairBid service (API and consumer) for Docker users, from the public Python image. The
# project's offline tests build the same image from Debian packages (scripts/docker-engine.sh).
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}
WORKDIR /app
COPY requirements-service.txt /app/
RUN pip install --no-cache-dir -r requirements-service.txt
COPY fairbid /app/fairbid
ENV PYTHONUNBUFFERED=1
CMD ["python3", "-m", "fairbid.api"]
