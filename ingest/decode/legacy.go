package decode

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
)

// ErrLegacyFormat is wrapped for files in a format gongkai does not read but can name: the
// old binary Word (.doc) and WPS (.wps) documents, and RTF.
var ErrLegacyFormat = errors.New("unsupported legacy format")

// Legacy recognises the binary office formats (OLE2 compound files: Word 97–2003 .doc, WPS
// .wps, old Excel .xls) and RTF, and refuses them with a message that names the format and
// says to save the file as .docx or PDF. It never returns a Document.
type Legacy struct{}

// Kind returns "legacy".
func (Legacy) Kind() string { return "legacy" }

var ole2Magic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// Sniff accepts an OLE2 compound file or an RTF document.
func (Legacy) Sniff(data []byte) bool {
	return bytes.HasPrefix(data, ole2Magic) || bytes.HasPrefix(data, []byte(`{\rtf`))
}

// Read returns the refusal, naming the format (from the bytes and the file name).
func (Legacy) Read(name string, data []byte) (*Document, error) {
	format := "旧版 Word 文档（.doc）"
	switch ext := strings.ToLower(filepath.Ext(name)); {
	case bytes.HasPrefix(data, []byte(`{\rtf`)):
		format = "RTF 文档（.rtf）"
	case ext == ".wps":
		format = "旧版 WPS 文字文档（.wps）"
	case ext == ".xls" || ext == ".et":
		format = "旧版 Excel/WPS 表格（" + ext + "）"
	case ext == ".doc" || ext == ".docx":
		format = "旧版 Word 文档（.doc）"
	case bytes.Contains(data[:min(len(data), 1<<20)], []byte("W\x00P\x00S")):
		format = "旧版 WPS 文字文档（.wps）"
	}
	return nil, errorf(name, "%w: %s无法读取，请用 Word 或 WPS 另存为 .docx 或 PDF 后再导入", ErrLegacyFormat, format)
}
