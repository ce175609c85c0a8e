// Package config loads gongkai's settings: a gongkai.yaml file (in the working directory or
// given with --config), GONGKAI_* environment variables (a key's dots become underscores:
// GONGKAI_SERVER_ADDR) and command-line flags bound by cmd/gongkai. Every key has a default.
package config

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// Organ is one expected organ of the district's registry.
type Organ struct {
	Name     string   `mapstructure:"name"`     // canonical name, e.g. 红寺堡区红寺堡镇人民政府
	Level    string   `mapstructure:"level"`    // township, department, county, city
	District string   `mapstructure:"district"` // parent district, e.g. 红寺堡区
	Aliases  []string `mapstructure:"aliases"`  // other names it reports under, e.g. 红寺堡镇
	// Covers names the organs whose figures this organ's report already adds up (a county
	// government's report giving the whole district): gongkai summary does not add it to them.
	Covers []string `mapstructure:"covers"`
	// Sources are its report pages or its 年报 column on the portal (URLs), read by
	// gongkai ingest --registry-sources.
	Sources []string `mapstructure:"sources"`
}

// Server holds the settings of gongkai serve.
type Server struct {
	Addr        string `mapstructure:"addr"`          // listen address, loopback by default
	Token       string `mapstructure:"token"`         // uploads need it; empty: uploads are off
	MaxUploadMB int    `mapstructure:"max_upload_mb"` // largest accepted upload request
	MaxFiles    int    `mapstructure:"max_files"`     // most files in one upload request

	// Timeouts of a connection: reading a whole request (headers and body), writing the
	// answer, and a keep-alive connection waiting for its next request.
	ReadTimeout  time.Duration `mapstructure:"read_timeout"`
	WriteTimeout time.Duration `mapstructure:"write_timeout"`
	IdleTimeout  time.Duration `mapstructure:"idle_timeout"`

	// Requests that query the database run at most MaxConcurrent at a time (0: two a core);
	// up to MaxQueued more wait, each at most QueueWait, and the rest are answered
	// 503 with Retry-After rather than pile up.
	MaxConcurrent int           `mapstructure:"max_concurrent"`
	MaxQueued     int           `mapstructure:"max_queued"`
	QueueWait     time.Duration `mapstructure:"queue_wait"`
}

// DuckDB holds the database engine's resource limits.
type DuckDB struct {
	MemoryLimit string `mapstructure:"memory_limit"` // DuckDB memory_limit, e.g. 320MB (default), 4GB; "": DuckDB's own (80% of RAM)
	Threads     int    `mapstructure:"threads"`      // DuckDB threads; 0: one a core
}

// Risk holds the thresholds of the 风险提示 cards.
type Risk struct {
	MinApplications    int     `mapstructure:"min_applications"`     // smaller samples are left out of ratio cards
	CorrectionRateJump float64 `mapstructure:"correction_rate_jump"` // 纠错率 rise, in percentage points
	LitigationJump     int     `mapstructure:"litigation_jump"`      // rise in lawsuits
	DisclosureRateDrop float64 `mapstructure:"disclosure_rate_drop"` // 实质公开率 fall, in percentage points
	PublicationsDrop   float64 `mapstructure:"publications_drop"`    // fall in items published, as a fraction (0.5 = halved)
	CopiedSimilarity   float64 `mapstructure:"copied_similarity"`    // prose similarity at which S-copied-prose fires
}

// Web holds how gongkai fetches reports from portals (ingest URL…, --registry-sources).
type Web struct {
	Delay        time.Duration `mapstructure:"delay"`         // pause between two requests to one host
	Timeout      time.Duration `mapstructure:"timeout"`       // one request, headers and body
	MaxMB        int           `mapstructure:"max_mb"`        // largest response read; a bigger one is a failure
	Retries      int           `mapstructure:"retries"`       // further tries after a 5xx or a timeout, with growing pauses
	MaxPages     int           `mapstructure:"max_pages"`     // column pages followed per column (pagination bound)
	MaxRedirects int           `mapstructure:"max_redirects"` // redirects followed per request
}

// Config is every setting of gongkai.
type Config struct {
	DB       string  `mapstructure:"db"`       // DuckDB file
	Workers  int     `mapstructure:"workers"`  // parsing goroutines; 0: one a core
	District string  `mapstructure:"district"` // the district's name, shown in the UI
	Registry []Organ `mapstructure:"registry"` // the organs expected to report
	Server   Server  `mapstructure:"server"`
	DuckDB   DuckDB  `mapstructure:"duckdb"`
	Risk     Risk    `mapstructure:"risk"`
	Web      Web     `mapstructure:"web"`
}

// Defaults sets every key's default on v; the environment is only read for keys with one.
func Defaults(v *viper.Viper) {
	v.SetDefault("db", "gongkai.duckdb")
	v.SetDefault("workers", 0)
	v.SetDefault("district", "")
	v.SetDefault("registry", []map[string]any{})
	v.SetDefault("server.addr", "127.0.0.1:8080")
	v.SetDefault("server.token", "")
	v.SetDefault("server.max_upload_mb", 20)
	v.SetDefault("server.max_files", 500)
	v.SetDefault("server.read_timeout", "60s")
	v.SetDefault("server.write_timeout", "120s")
	v.SetDefault("server.idle_timeout", "30s")
	v.SetDefault("server.max_concurrent", 0)
	v.SetDefault("server.max_queued", 256)
	v.SetDefault("server.queue_wait", "30s")
	// serve's DuckDB: at 750,000 reports its buffer pool and hash tables took ~1 GB beside a
	// Go heap of ~230 MB with 4GB, and at 512MB the server still peaked at 1.1 GB (table
	// blocks cached, hash tables of the queries at work). With the queries that join one
	// year with another instead of grouping both, 200 clients with uploads peaked at 1,008 MB
	// with 384MB and 877 MB with 320MB, p95 333 and 307 ms (30 Nov, quiet machine; gongkai
	// ingest caps it lower still). Pages read one page of organs: the pool need not hold the
	// file.
	v.SetDefault("duckdb.memory_limit", "320MB")
	v.SetDefault("duckdb.threads", 0)
	v.SetDefault("risk.min_applications", 10)
	v.SetDefault("risk.correction_rate_jump", 10.0)
	v.SetDefault("risk.litigation_jump", 2)
	v.SetDefault("risk.disclosure_rate_drop", 15.0)
	v.SetDefault("risk.publications_drop", 0.5)
	v.SetDefault("risk.copied_similarity", 0.9)
	v.SetDefault("web.delay", time.Second)
	v.SetDefault("web.timeout", 30*time.Second)
	v.SetDefault("web.max_mb", 50)
	v.SetDefault("web.retries", 3)
	v.SetDefault("web.max_pages", 50)
	v.SetDefault("web.max_redirects", 5)
}

// New returns a viper instance with defaults, the GONGKAI_ environment and, when file is
// not empty, that file; when file is empty, gongkai.yaml in the working directory if present.
// A key the configuration does not have, or (when levels is given: the level keys of package
// ingest) a registry level not among levels, is an error naming the file, the line and the key.
func New(file string, levels ...string) (*viper.Viper, error) {
	v := viper.New()
	Defaults(v)
	v.SetEnvPrefix("GONGKAI")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if file == "" {
		// only gongkai.yaml: viper's own search would also take a file named "gongkai" — the binary
		if _, err := os.Stat("gongkai.yaml"); err != nil {
			return v, nil
		}
		file = "gongkai.yaml"
	}
	v.SetConfigFile(file)
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("配置文件 %s 无法读取：%w", file, err)
	}
	if err := lint(file, levels); err != nil {
		return nil, err
	}
	return v, nil
}

// Load unmarshals v into a Config.
func Load(v *viper.Viper) (*Config, error) {
	var c Config
	if err := v.Unmarshal(&c); err != nil {
		return nil, fmt.Errorf("配置有误：%w", err)
	}
	return &c, nil
}
