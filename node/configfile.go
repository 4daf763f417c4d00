package node

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"hearth/protocol"
)

// Setup is what `hearth init` asks an operator, beyond the defaults.
type Setup struct {
	Name string
	// Timezone is the hub's zone (listings.default_timezone), an IANA
	// name; "" leaves it unset.
	Timezone string
	// CrisisLines fill help.crisis_lines; nil leaves the default (none).
	CrisisLines []string
}

// InitWith is Init with the answers of Setup written into config.toml.
func InitWith(dir string, s Setup) error {
	if s.Timezone != "" {
		if _, err := protocol.LoadTimezone(s.Timezone); err != nil {
			return fmt.Errorf("init: %w", err)
		}
	}
	if err := Init(dir, s.Name); err != nil {
		return err
	}
	path := ConfigPath(dir)
	if s.Timezone != "" {
		if err := SetConfigValue(path, "listings", "default_timezone", s.Timezone); err != nil {
			return fmt.Errorf("init: %w", err)
		}
	}
	if s.CrisisLines != nil {
		if err := SetConfigValue(path, "help", "crisis_lines", s.CrisisLines); err != nil {
			return fmt.Errorf("init: %w", err)
		}
	}
	return nil
}

// SetConfigValue sets one key of the config.toml at path to value, leaving
// every other line (the operator's comments, order and other settings) as
// it was: the key's line is replaced, or added at the top of its table, or
// the table is added at the end. The file is written whole (a temporary
// file, synced, renamed over it) and only if it still loads, so a crash
// or a mistake never leaves a half-written or broken config.
func SetConfigValue(path, table, key string, value any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var enc bytes.Buffer
	if err := toml.NewEncoder(&enc).Encode(map[string]any{key: value}); err != nil {
		return fmt.Errorf("config: %s.%s: %w", table, key, err)
	}
	line := strings.TrimRight(enc.String(), "\n")
	lines := strings.Split(string(data), "\n")
	inTable, header, done := table == "", -1, false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") {
			if inTable && header >= 0 {
				break // past the table without finding the key
			}
			inTable = strings.Trim(t, "[] ") == table
			if inTable {
				header = i
			}
			continue
		}
		if k, _, ok := strings.Cut(t, "="); inTable && ok && !strings.HasPrefix(t, "#") && strings.TrimSpace(k) == key {
			lines[i] = line
			done = true
			break
		}
	}
	switch {
	case done:
	case header >= 0:
		lines = append(lines[:header+1], append([]string{line}, lines[header+1:]...)...)
	case table == "":
		lines = append([]string{line}, lines...)
	default:
		lines = append(lines, "", "["+table+"]", line)
	}
	out := []byte(strings.Join(lines, "\n"))
	if err := checkConfigText(path, out); err != nil {
		return err
	}
	return replaceFile(path, out)
}

// checkConfigText loads a config file's new text as LoadConfig would, so a
// change that would stop the node is refused before it is written.
func checkConfigText(path string, text []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-check-*.toml")
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(text)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if _, err := LoadConfig(tmp.Name()); err != nil {
		return fmt.Errorf("config: %s left as it was: the change would not load: %s", path, strings.ReplaceAll(err.Error(), tmp.Name(), path))
	}
	return nil
}

// replaceFile writes data to path through a synced temporary file renamed
// over it, keeping path's permissions.
func replaceFile(path string, data []byte) error {
	mode := os.FileMode(0o600)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp := path + ".new"
	if err := writeFileSync(tmp, data, mode); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("config: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("config: %w", err)
	}
	return nil
}
