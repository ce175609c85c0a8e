// Command gongkai turns government-information-disclosure annual reports into one checked
// dataset: parse, check, ingest into DuckDB, serve dashboards, export. This package only
// wires flags to the packages that do the work; each subcommand lives in its own file.
// Everything it prints for people is Chinese (technical detail may follow in parentheses).
package main

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime/pprof"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"gongkai/config"
	"gongkai/ingest"
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

// usageTemplate is cobra's usage in Chinese.
const usageTemplate = `用法：{{if .Runnable}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} 命令 [参数]{{end}}{{if gt (len .Aliases) 0}}

别名：
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

示例：
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

命令：{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

选项：
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

通用选项：
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

用 "{{.CommandPath}} 命令 --help" 查看某个命令的说明。{{end}}
`

func init() {
	rootCmd.PersistentFlags().String("config", "", "配置文件（默认：工作目录中的 gongkai.yaml，如有）")
	rootCmd.PersistentFlags().String("db", "", "DuckDB 数据库文件（配置项 db；默认 gongkai.duckdb）")
	rootCmd.PersistentFlags().BoolP("help", "h", false, "显示说明")
	rootCmd.SetUsageTemplate(usageTemplate)
	rootCmd.SetHelpTemplate(`{{with (or .Long .Short)}}{{. | trimTrailingWhitespaces}}

{{end}}{{if or .Runnable .HasSubCommands}}{{.UsageString}}{{end}}`)
	rootCmd.CompletionOptions.DisableDefaultCmd = true
	rootCmd.SetHelpCommand(&cobra.Command{
		Use:   "help [命令]",
		Short: "显示某个命令的说明",
		Run: func(c *cobra.Command, args []string) {
			cmd, _, e := c.Root().Find(args)
			if cmd == nil || e != nil {
				c.Printf("未知命令 %q\n", strings.Join(args, " "))
				c.Root().Usage()
				return
			}
			cmd.InitDefaultHelpFlag()
			cmd.Help()
		},
	})
	rootCmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{2, fmt.Sprintf("参数有误：%s（用法：%s；用 %s --help 查看说明）", flagError(err), c.UseLine(), c.CommandPath())}
	})
}

// cobra's and pflag's own messages, put in Chinese.
var (
	reUnknownFlag     = regexp.MustCompile(`^unknown (?:shorthand )?flag: (.+?)(?: in .*)?$`)
	reNeedsArgument   = regexp.MustCompile(`^flag needs an argument: (.+)$`)
	reInvalidArgument = regexp.MustCompile(`^invalid argument "(.*)" for "(.+?)" flag: (.*)$`)
	reUnknownCommand  = regexp.MustCompile(`^unknown command "(.*)" for "(.*)"`)
	reArgs            = regexp.MustCompile(`^(?:accepts|requires) .*arg\(s\), (?:only )?received (\d+)$`)
)

// flagError says a flag error of pflag in Chinese.
func flagError(err error) string {
	s := err.Error()
	switch {
	case reUnknownFlag.MatchString(s):
		return "未知选项 " + reUnknownFlag.FindStringSubmatch(s)[1]
	case reNeedsArgument.MatchString(s):
		return "选项 " + reNeedsArgument.FindStringSubmatch(s)[1] + " 需要一个值"
	case reInvalidArgument.MatchString(s):
		m := reInvalidArgument.FindStringSubmatch(s)
		return fmt.Sprintf("选项 %s 的值 %q 无效（%s）", m[2], m[1], m[3])
	}
	return "选项有误（" + s + "）"
}

// chinese puts an error that reached main in Chinese: cobra's own words are translated, and a
// message with no Chinese in it (a library's) is kept as the technical detail of a Chinese one.
func chinese(err error) string {
	s := err.Error()
	if m := reUnknownCommand.FindStringSubmatch(s); m != nil {
		return fmt.Sprintf("未知命令 %q（用 %s --help 查看可用的命令）", m[1], m[2])
	}
	if m := reArgs.FindStringSubmatch(s); m != nil {
		return fmt.Sprintf("参数个数不对：收到 %s 个（用 --help 查看用法）", m[1])
	}
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return s
		}
	}
	return "出错了（技术细节：" + s + "）"
}

// noArgs refuses arguments, in Chinese.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%s 不接受参数 %q（用法：%s）", cmd.CommandPath(), strings.Join(args, " "), cmd.UseLine())
	}
	return nil
}

// filesArgs requires at least one file or folder.
func filesArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("请给出至少一个文件（用法：%s）", cmd.UseLine())
	}
	return nil
}

// settings loads the configuration with the command's flags bound over file and environment.
func settings(cmd *cobra.Command) (*config.Config, *viper.Viper, error) {
	file, _ := cmd.Flags().GetString("config")
	v, err := config.New(file, ingest.LevelKeys()...)
	if err != nil {
		return nil, nil, &exitError{2, err.Error()}
	}
	if f := cmd.Flags().Lookup("db"); f != nil && f.Changed {
		v.Set("db", f.Value.String())
	}
	c, err := config.Load(v)
	if err != nil {
		return nil, nil, &exitError{2, err.Error()}
	}
	return c, v, nil
}

func main() {
	for _, c := range append(rootCmd.Commands(), rootCmd) {
		c.DisableFlagsInUseLine = true // the Use lines name their flags
	}
	if err := rootCmd.Execute(); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(os.Stderr, "gongkai:", chinese(ee))
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "gongkai:", chinese(err))
		os.Exit(1)
	}
}

// startCPUProfile starts the CPU profile the hidden --cpuprofile flag asks for (for
// developers), returning what stops it (nothing to stop without the flag).
func startCPUProfile(cmd *cobra.Command) (stop func(), err error) {
	path, _ := cmd.Flags().GetString("cpuprofile")
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
