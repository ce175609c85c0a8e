package dashboards

import "gongkai/ingest/decode"

// readableFormats are the formats the readers read, from decode.Formats: names for the
// clerk, extensions for the file picker. The upload page promises nothing else.
func readableFormats() (names, exts []string) {
	for _, f := range decode.Formats() {
		names = append(names, f.Name)
		exts = append(exts, f.Exts...)
	}
	return names, exts
}
