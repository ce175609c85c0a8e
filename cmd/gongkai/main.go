// Command gongkai turns government-information-disclosure annual reports into one checked
// dataset: parse, check, ingest into DuckDB, serve dashboards, export. This package only
// wires flags to the packages that do the work; each subcommand lives in its own file.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"gongkai/config"
)

// exitError carries a process exit code out of a command without printing cobra's usage.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

var rootCmd = &cobra.Command{
	Use:           "gongkai",
	Short:         "政府信息公开工作年度报告：解析、校验、入库、看板与导出",
	SilenceUsage:  true,
	SilenceErrors: true,
}

func init() {
	rootCmd.PersistentFlags().String("config", "", "config file (default: gongkai.yaml in the working directory, if any)")
	rootCmd.PersistentFlags().String("db", "", "DuckDB file (config key db; default gongkai.duckdb)")
}

// settings loads the configuration with the command's flags bound over file and environment.
func settings(cmd *cobra.Command) (*config.Config, *viper.Viper, error) {
	file, _ := cmd.Flags().GetString("config")
	v, err := config.New(file)
	if err != nil {
		return nil, nil, err
	}
	if f := cmd.Flags().Lookup("db"); f != nil && f.Changed {
		v.Set("db", f.Value.String())
	}
	c, err := config.Load(v)
	if err != nil {
		return nil, nil, err
	}
	return c, v, nil
}

func main() {
	if err := rootCmd.Execute(); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(os.Stderr, "gongkai:", ee.msg)
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "gongkai:", err)
		os.Exit(1)
	}
}

// filesArgs requires at least one file or folder.
func filesArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("请给出至少一个文件（用法：%s）", cmd.UseLine())
	}
	return nil
}
