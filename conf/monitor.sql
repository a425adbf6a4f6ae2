-- The harness's read-only monitoring account (row counts), in both the official and the Debian image.
CREATE USER IF NOT EXISTS 'monitor'@'%' IDENTIFIED BY 'monitor';
GRANT SELECT ON fairbid.* TO 'monitor'@'%';
