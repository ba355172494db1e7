package store

// SetImportSummaries sets whether an import of deals on PostgreSQL keeps
// the report summaries itself (the default) or leaves them to the
// triggers, and returns a function that restores the setting.
func SetImportSummaries(on bool) (restore func()) {
	was := importSummaries
	importSummaries = on
	return func() { importSummaries = was }
}
