"""The operator's console on the platform host (services/operator_pages.py): backoffices and
their people. Nowhere else: on a broker's host, and for anyone but an operator, it is not
there (404)."""
