package store

import (
	"context"
	"fmt"
	"regexp"
	"runtime"
)

// memorySize is a DuckDB memory size: a number and a unit (4GB, 512MiB, 1.5GB).
var memorySize = regexp.MustCompile(`^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$`)

// SetLimits bounds DuckDB's memory (memory_limit, e.g. "4GB"; "" leaves DuckDB's default of
// 80% of RAM) and worker threads (0: one a core). On a machine serving many users and
// ingesting at once, DuckDB's defaults would let one query take most of the memory.
func (d *DB) SetLimits(memoryLimit string, threads int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	ctx := context.Background()
	if memoryLimit != "" {
		if !memorySize.MatchString(memoryLimit) {
			return fmt.Errorf("duckdb.memory_limit %q: 应为数字加单位，如 4GB、512MB", memoryLimit)
		}
		if err := d.exec(ctx, fmt.Sprintf("SET memory_limit = '%s'", memoryLimit)); err != nil {
			return fmt.Errorf("duckdb.memory_limit %q: %w", memoryLimit, err)
		}
	}
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	if err := d.exec(ctx, fmt.Sprintf("SET threads = %d", threads)); err != nil {
		return fmt.Errorf("duckdb.threads %d: %w", threads, err)
	}
	return nil
}
