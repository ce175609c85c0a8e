package dashboards

// readableFormats are the formats the readers read (names for the clerk, extensions for
// the file picker). TEMPORARY until decode.Formats lands.
func readableFormats() (names, exts []string) {
	return []string{"txt"}, []string{".txt"}
}
