"""Pages of the ledgers app, one module per ledger."""
