# Read by gunicorn when started from the project folder (README: Production).
# Access log lines (when enabled with --access-logfile) never show a calendar feed token.
logger_class = "config.gunicorn.RedactingLogger"
