package analytics

// SetChunkRows sets how many reports the long tables read at a time, for tests of the chunk
// boundaries; it returns the previous value.
func SetChunkRows(n int) int {
	old := chunkRows
	chunkRows = n
	return old
}

// SetSummaryLimit sets the most reports a summary adds up; it returns the previous value.
func SetSummaryLimit(n int) int {
	old := summaryLimit
	summaryLimit = n
	return old
}
