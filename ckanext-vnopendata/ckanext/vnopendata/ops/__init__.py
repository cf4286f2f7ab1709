"""Operations: server supervision, health, request ids and structured logs,
security headers, hostile-input guards, mail jobs that survive an SMTP
outage."""
