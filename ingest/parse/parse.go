// Package parse reads a decoded report (normalised lines) into an ingest.Report: the agency,
// year and level, the six sections, the cells of tables 2, 3 and 4 anchored on their row
// labels, the publication counts stated in the prose, and V-unreadable findings for every
// cell that could not be read.
package parse

import (
	"gongkai/ingest"
)

// File decodes and parses one file's bytes; name is the path as given (used in messages,
// and as a last resort for the agency and year). It returns an error when the bytes are not
// a report at all (no table 3, unreadable encoding); a report with unread cells is not an
// error: those cells are nil with findings.
func File(name string, data []byte) (*ingest.Report, error) {
	panic("not yet")
}
