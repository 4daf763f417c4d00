package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"
)

// jsonFlag is the --json flag of every command that prints data.
var jsonFlag = &cli.BoolFlag{Name: "json", Usage: "print JSON instead of text"}

// printJSON writes v as indented JSON: what scripts read with --json.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // URLs with & stay readable
	return enc.Encode(v)
}

// table prints aligned columns, for the text output of list commands.
type table struct {
	tw *tabwriter.Writer
}

func newTable(w io.Writer, headers ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	t.row(headers...)
	return t
}

func (t *table) row(cells ...string) {
	for i, c := range cells {
		// A tab or newline in a listing field would break the columns.
		cells[i] = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(c)
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

func (t *table) flush() error { return t.tw.Flush() }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// truncate shortens s to n runes with an ellipsis, for table cells.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// outFlag is the --out flag of commands that write a document.
var outFlag = &cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write to this file instead of standard output"}

// writeOutput writes a command's document to --out, or to standard output.
// A file is written whole or not at all, so a failed run never leaves half
// a schedule or feed where the last good one was.
func writeOutput(c *cli.Context, data []byte) error {
	out := c.String("out")
	if out == "" || out == "-" {
		_, err := c.App.Writer.Write(data)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", out, errors.Unwrap(err))
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("cannot write %s: %w", out, errors.Unwrap(err))
	}
	fmt.Fprintf(c.App.ErrWriter, "wrote %s (%d bytes)\n", out, len(data))
	return nil
}
