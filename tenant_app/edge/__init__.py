"""Pure-ASGI middleware, one concern per module (pure ASGI so context variables reach handlers).

Order, outermost first: headers, context, limits, tenant, session, locale, csrf (see `stack`).
"""
