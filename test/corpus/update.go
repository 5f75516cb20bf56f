package corpus

import "path/filepath"

// UpdateEnv is the environment variable that makes the package's tests
// rewrite what is checked in instead of checking it.
const UpdateEnv = "IPHELPER_UPDATE_CORPUS"

// The values of UpdateEnv.
const (
	// UpdateCapture recaptures everything in a namespace lab (root, the
	// peers installed) and rewrites the captures and the seed files.
	UpdateCapture = "1"
	// UpdateSeeds rewrites the seed files from the checked-in captures.
	UpdateSeeds = "seeds"
)

// capturesDir holds the checked-in captures, relative to this package.
const capturesDir = "testdata/captures"

// captureFiles names the files of one session under a directory.
type captureFiles struct {
	manifest, client, upstream string
}

// capturePaths returns the files of server's session under dir.
func capturePaths(dir, server string) captureFiles {
	return captureFiles{
		manifest: filepath.Join(dir, server+".json"),
		client:   filepath.Join(dir, server+"-client.pcap"),
		upstream: filepath.Join(dir, server+"-upstream.pcap"),
	}
}
