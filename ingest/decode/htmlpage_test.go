package decode

import (
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"gongkai/ingest"
	"gongkai/ingest/generate"
)

// pageCases are pages for readPage: plain pages it must read, and pages with what it leaves
// to html.Parse (which it must refuse or read identically).
var pageCases = []string{
	`<!DOCTYPE html><html><head><title>a &amp; b</title></head><body><p>x</p></body></html>`,
	"<!doctype html>\r\n<HTML lang=zh>\r\n<HEAD>\r\n<META NAME=\"PubDate\" CONTENT=\"2024-01-01\">\r\n</HEAD>\r\n<BODY>\r\n<P>一\r\n二</P>\r\n</BODY>\r\n</HTML>\r\n",
	`<html><head></head><body><div class="nav">首页</div><div id=main hidden><span>a</span></div></body></html>`,
	`<html><head></head><body><table><tr><td rowspan="2">a</td><td>1</td></tr><tr><td>2</td></tr></table></body></html>`,
	`<html><head></head><body><table><tbody><tr><td>a</td></tr></table></body></html>`,
	`<html><head></head><body><table> <tr> <td>a</td> </tr> </table></body></html>`,
	`<html><head></head><body><table><tr><td>a</td>x</tr></table></body></html>`,
	`<html><head></head><body><table><tr><td>a<td>b</tr></table></body></html>`,
	`<html><head></head><body><p>a<div>b</div></p></body></html>`,
	`<html><head></head><body><p>a<p>b</body></html>`,
	`<html><head></head><body><ul><li>a<li>b</ul></body></html>`,
	`<html><head></head><body><ul><li>a<ul><li>b</li></ul></li></ul></body></html>`,
	`<html><head></head><body><b>a<i>b</b>c</i></body></html>`,
	`<html><head></head><body><a href=x>a<a href=y>b</a></a></body></html>`,
	`<html><head></head><body><pre>` + "\n" + `a
b</pre><pre>

c</pre></body></html>`,
	`<html><head></head><body><div/>a<br/>b<br>c</br>d</body></html>`,
	`<html><head></head><body><div class="a" class="b" CLASS=c>x</div></body></html>`,
	`<html><head></head><body><div class="a&amp;b">x</div></body></html>`,
	`<html><head></head><body><div title="a&amp;b" data-x='1' y=2 z>x</div></body></html>`,
	`<html><head></head><body><script>var a = "</scriptx>"; if (a<b) {}</script><style>p{}</style>x</body></html>`,
	`<html><head><script><!-- document.write("<script>x</script>") --></script></head><body>y</body></html>`,
	`<html><head></head><body>a<!-- c -->b<!---->c<!-- d --!>e<!--->f</body></html>`,
	`<html><head></head><body>a &lt; b &nbsp;&copy c &#20013;&#x4e2d; d</body></html>`,
	`<html><head></head><body>a < b <3 </ c <? x ?> d</body></html>`,
	`<html><head></head><body><o:p></o:p><font face=宋体>x</font></body></html>`,
	`<html><head></head><body><h1>a<h2>b</h2></h1></body></html>`,
	`<html><head></head><body><table><caption>t</caption><colgroup></colgroup><thead><tr><th>h</th></tr></thead><tbody><tr><td>1</td></tr></tbody><tfoot></tfoot></table></body></html>`,
	`<html><head></head><body><table><tr><td><table><tr><td>in</td></tr></table></td></tr></table></body></html>`,
	`<html><head></head><body><form><input type=text><button>b</button></form><select><option>1</select></body></html>`,
	`<html><head></head><body><svg><p>x</p></svg></body></html>`,
	`<html><head></head><body><div>`,
	`<html><head></head><body><div`,
	`<html><head></head><body><div class="x`,
	`<html><head></head><body>x</body></html>y`,
	`<html><head></head><body>x</body>` + "\n" + `<!-- c -->` + "\n" + `</html>` + "\n",
	`<html><head><div>x</div></head><body></body></html>`,
	`<div>no html</div>`,
	`<html><body><p>no head</p></body></html>`,
	`<html><head></head><body><textarea>a</textarea><iframe><p>x</p></iframe><noscript><b>n</b></noscript></body></html>`,
	`<html><head><noscript><link rel=x></noscript></head><body>x</body></html>`,
	`<html><head></head><body><p>a</P></body></html>`,
	`<html><head></head><body><P>a</p><DIV>b</Div></body></html>`,
	`<html><head></head><body><title>t2</title><meta name=x content=y><p>z</p></body></html>`,
	"<html><head></head><body>a\rb\r\nc</body></html>",
	`<html><head></head><body><div style="display : none">x</div><div style="DISPLAY:none">y</div></body></html>`,
	`<html><head></head><body><table><tr><td>1</td></tr><script>x</script></table></body></html>`,
	`<html><head></head><body><dl><dt>a</dt><dd>b</dd></dl><dl><dt>a<dd>b</dl></body></html>`,
	`<html><head></head><body><p><table><tr><td>x</td></tr></table></p></body></html>`,
	`<html><head></head><body><table><tr><td>x</td></tr></table></body></html>` + "\x00",
	`<html><head></head><body><div =a b/c d=/ e = 'f'/>x</div></body></html>`,
	`<html><head></head><body><img src="a.png"/><hr/><wbr></body></html>`,
	`<html><head></head><body>x</body></html><p>y</p>`,
	`<html><head></head><body></td></body></html>`,
	`<html><head></head><body><center><font><b>a</b></font></center></body></html>`,
	`<html><head></head><body><p><b>a<p>b</b></p></body></html>`,
	`<p class="nav">总体情况<table><tr><td>1</td></tr></table>x</p>`,
	`<!DOCTYPE html><p class="nav">总体情况<table><tr><td>1</td></tr></table>x</p>`,
	`<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd"><p>a<table><tr><td>1</td></tr></table>x</p>`,
	`<table><tr><td>a<tr><td>b</table>c`,
	`<table><td>a</td></table>`,
	`<table><col><col><tr><th>a<td>b</table>`,
	`<table><thead><tr><td>a</thead><tbody><tr><td>b</tbody></table>`,
	`<table><tr><td><table><tr><td>x</table>y</td></tr></table>`,
	`<table><caption>c<tr><td>x</table>`,
	`<div><span>a</div>b</span>c`,
	`<div><font>a</div>b</font>c`,
	`<ul><li>a<div>b<li>c</div></ul>`,
	`<body>a</body><!--x-->b`,
	`<select><option>a<option>b<optgroup><option>c</select>d`,
	`<form><div></form></div>`,
	`<head><title>t</title>x<meta name=a content=b></head><body>y`,
	`</head><p>x`,
	`<table><tr><td>1</td></tr></tbody></table>`,
	`<b><table><tr><td></b>x</td></tr></table></b>y`,
}

// sameDocument tells whether two documents read alike.
func sameDocument(a, b *Document) bool {
	return a.Kind == b.Kind && a.Encoding == b.Encoding && a.Title == b.Title &&
		reflect.DeepEqual(a.Meta, b.Meta) && reflect.DeepEqual(a.Lines, b.Lines)
}

// checkPage reads a page both ways, through readPage and through html.Parse: readPage may
// refuse it, but what it reads must be what html.Parse's tree reads. It tells whether
// readPage took the page.
func checkPage(t testing.TB, name string, data []byte) bool {
	s, enc, err := decodeBytes(name, data, true)
	if err != nil {
		return false
	}
	root, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return false
	}
	want := htmlDocument(enc, s, pageOfTree(root), &textArena{})
	arena := &textArena{}
	p, ok := readPage(s, arena)
	if !ok {
		return false
	}
	if got := htmlDocument(enc, s, p, arena); !sameDocument(got, want) {
		t.Fatalf("%s: readPage reads differently from html.Parse:\n%q\n%q\n%q %q\n%q", name, got.Lines, want.Lines, got.Title, want.Title, clip(s))
	}
	return true
}

func clip(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}

func init() { checkTagNames = true }

func TestReadPageMatches(t *testing.T) {
	took := 0
	for i, c := range pageCases {
		if checkPage(t, "case"+string(rune('a'+i%26)), []byte(c)) {
			took++
		}
	}
	if took < len(pageCases)*2/3 {
		t.Errorf("readPage took only %d of %d cases", took, len(pageCases))
	}
	// generated pages, whole and cut anywhere
	rng := rand.New(rand.NewSource(1))
	pages, taken := 0, 0
	for _, format := range []string{ingest.Format2021, ingest.Format2019} {
		for i, a := range generate.District(rng, "红寺堡区", 12) {
			r := generate.Truth(rand.New(rand.NewSource(int64(i))), a, 2024, format, nil)
			for _, layout := range []string{"html", "html-gbk"} {
				data, err := generate.Render(r, layout)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if checkPage(t, layout, data) {
					taken++
				}
				for k := 0; k < 6; k++ {
					checkPage(t, layout+" cut", data[:rng.Intn(len(data))])
				}
			}
		}
	}
	if taken != pages {
		t.Errorf("readPage took %d of %d generated pages", taken, pages)
	}
}

func TestReadPageCorpus(t *testing.T) {
	dirs := []string{filepath.Join(corpusDir(t), "raw"), filepath.Join(corpusDir(t), "seed"),
		filepath.Join(corpusDir(t), "derived", "raw")}
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.htm*"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: readPage took it: %v", filepath.Base(f), checkPage(t, f, data))
		}
	}
}

// FuzzReadPage: whatever readPage reads, it reads as html.Parse's tree does.
func FuzzReadPage(f *testing.F) {
	for _, c := range pageCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkPage(t, "fuzz", data)
	})
}
