"""E-mail: rendering, the outbox, SMTP/file sending, and the worker that connects them."""
