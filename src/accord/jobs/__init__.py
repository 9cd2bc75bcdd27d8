"""Long work. Exports stream straight into the HTTP response (bytes flow from the first
moment, so nothing times out however large the project); see `accord.jobs.exports`."""
