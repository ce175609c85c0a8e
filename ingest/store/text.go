package store

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"github.com/klauspost/compress/zstd"
)

// A report's normalised text is most of what a database holds (5–6 KB a report; DuckDB keeps
// strings that long uncompressed), so the store writes it zstd-compressed in reports.text_z
// (migration 009), with a dictionary of the format's wording: reports of one format share
// their headings and table labels, and the dictionary lets each text be compressed alone
// (4–5× on generated reports). reports.text is then ''. Rows written before keep their text
// in reports.text (text_z NULL). ReportText reads either.

// textDictID names the dictionary in every compressed text; a later dictionary takes a new
// id and the old one stays, so that old rows still read.
const textDictID = 1

//go:embed textdict/1.txt
var textDict []byte

var (
	textCodecOnce sync.Once
	textEncoder   *zstd.Encoder
	textDecoder   *zstd.Decoder
	textCodecErr  error
)

func textCodec() (*zstd.Encoder, *zstd.Decoder, error) {
	textCodecOnce.Do(func() {
		textEncoder, textCodecErr = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
			zstd.WithEncoderDictRaw(textDictID, textDict), zstd.WithEncoderCRC(true))
		if textCodecErr != nil {
			return
		}
		textDecoder, textCodecErr = zstd.NewReader(nil, zstd.WithDecoderDictRaw(textDictID, textDict),
			zstd.WithDecoderConcurrency(0))
	})
	return textEncoder, textDecoder, textCodecErr
}

// CompressText returns a report's text as stored in reports.text_z. It is safe for
// concurrent use (the ingest workers compress, not the writer).
func CompressText(text string) ([]byte, error) {
	enc, _, err := textCodec()
	if err != nil {
		return nil, fmt.Errorf("compress text: %w", err)
	}
	// the text's own bytes, not a copy (EncodeAll only reads its input)
	return enc.EncodeAll(unsafe.Slice(unsafe.StringData(text), len(text)), make([]byte, 0, len(text)/4)), nil
}

// ReportText returns the stored text of a report from its two columns: reports.text and
// reports.text_z (nil for rows stored before migration 009, whose text is in text).
func ReportText(text string, z []byte) (string, error) {
	if z == nil {
		return text, nil
	}
	_, dec, err := textCodec()
	if err != nil {
		return "", fmt.Errorf("decompress text: %w", err)
	}
	b, err := dec.DecodeAll(z, nil)
	if err != nil {
		return "", fmt.Errorf("decompress text: %w", err)
	}
	return string(b), nil
}

// proseAt returns where a prose section lies in the text (byte offset), -1 when it is not a
// part of it: a section found there is stored as its place, not a second copy.
func proseAt(text, section string) int {
	if section == "" {
		return -1
	}
	// a parser's section is usually a slice of the text itself: its place is where it lies
	// (no search through the text)
	if len(section) <= len(text) {
		at := uintptr(unsafe.Pointer(unsafe.StringData(section))) - uintptr(unsafe.Pointer(unsafe.StringData(text)))
		if at <= uintptr(len(text)-len(section)) {
			return int(at)
		}
	}
	return strings.Index(text, section)
}
