"""Live updates: "something changed for you" reaches every open page of an account at once.

A use case publishes the accounts it told something (`publish`, in its own transaction); the
pages' server-sent-event streams wait on the in-process `broker`. On PostgreSQL the signal
goes through `NOTIFY`, which the database sends only when the transaction commits and to every
app process (each runs one `LISTEN`ing connection, `live.postgres`); on SQLite, a single
process, the broker is told directly.
"""
