package analytics

// SetChunkRows sets how many reports the long tables read at a time, for tests of the chunk
// boundaries; it returns the previous value.
func SetChunkRows(n int) int {
	old := chunkRows
	chunkRows = n
	return old
}
