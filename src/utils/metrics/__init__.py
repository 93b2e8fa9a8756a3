"""Prometheus metrics: what the server counts (`families`), how the hot path records it cheaply (`pending`,
`recorder`), and how counts from several worker processes add up in one scrape (`multiprocess_directory`)."""
