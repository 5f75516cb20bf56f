package hostile

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/test/lab"
)

// debianPython is where Debian's python3, the one python3-scapy installs
// for, lives; a python3 earlier in PATH (pyenv, a venv) may lack scapy.
const debianPython = "/usr/bin/python3"

// scapyPython returns a python3 that can import scapy, or "".
func scapyPython() string {
	candidates := []string{debianPython}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	for _, p := range candidates {
		if exec.Command(p, "-c", "import scapy.layers.inet").Run() == nil {
			return p
		}
	}
	return ""
}

// TestCraftReproducesTestdata runs craft.py and checks that it writes the
// committed testdata byte for byte: the pcap is what the script says, and
// whoever edits the script regenerates the files.
func TestCraftReproducesTestdata(t *testing.T) {
	py := scapyPython()
	if py == "" {
		msg := "no python3 with scapy (Debian package python3-scapy; test/install-packages.sh installs it)"
		if lab.InCI() {
			t.Fatalf("CI=true, so not skipping: %s", msg)
		}
		t.Skip(msg)
	}
	out := t.TempDir()
	cmd := exec.Command(py, "craft.py", "--out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("craft.py failed: %v\n%s", err, b)
	}
	for _, name := range []string{ManifestFile, PcapFile} {
		want, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatalf("failed to read the committed %s: %v", name, err)
		}
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatalf("craft.py wrote no %s: %v", name, err)
		}
		if bytes.Equal(want, got) {
			continue
		}
		if name == ManifestFile {
			t.Errorf("%s differs from craft.py's output; run %s craft.py (-committed +script):\n%s", name, py, cmp.Diff(string(want), string(got)))
		} else {
			t.Errorf("%s differs from craft.py's output (%d bytes committed, %d written); run %s craft.py", name, len(want), len(got), py)
		}
	}
}
