package artifact

import "fmt"

// How a clone is made, and how dbaf knows. AWS's API does not say whether
// a cluster shares its source's storage: CloneGroupId cannot tell, since
// RDS's model has every point-in-time restore inherit its source's group,
// a full copy included ("For PITR, the clone group ID is inherited from
// the source cluster"). So dbaf reports the kind from what it asked for
// (the artifact's restore mode) and what the account can give (Aurora's
// limit of copy-on-write clones per source, counted in the preflight),
// decided before the stack exists and kept in its TagRestore tag for the
// handover of a followed stack and for dbaf list.

// CopyOnWriteLimit is how many copy-on-write clones Aurora makes of one
// source; past it, a clone asked to be copy-on-write is silently a full
// copy. AWS has no API that reports it.
const CopyOnWriteLimit = 15

// FullCopyNote is how a full copy is named wherever a clone is shown.
const FullCopyNote = "full copy: storage billed in full"

// RestoreWords is a restore kind for people: "copy-on-write", "full copy".
func RestoreWords(kind string) string {
	switch kind {
	case RestoreFullCopy, RestoreSnapshot:
		return "full copy"
	case "":
		return "-"
	}
	return kind
}

// predictRestore is how a clone of source cluster id will be made: the
// restore mode src asks for, unless it asks for copy-on-write and the
// source's clone group already holds CopyOnWriteLimit other clusters, when
// Aurora makes a full copy. The group also holds full-copy point-in-time
// restores, which do not count against the limit, so this may predict a
// full copy that Aurora makes copy-on-write after all: billing is never
// under-reported. note says it in words.
func predictRestore(src Source, id string, clones int) (kind, note string) {
	mode := src.RestoreMode()
	switch {
	case mode.Kind != RestoreCopyOnWrite:
		return mode.Kind, FullCopyNote + " (" + mode.Description + ")"
	case clones >= CopyOnWriteLimit:
		return RestoreFullCopy, fmt.Sprintf("this clone will be a %s: %s's clone group already holds %d clones, and Aurora makes at most %d copy-on-write clones of a source; "+
			"tear down the clones no one uses (dbaf list) to get copy-on-write again", FullCopyNote, id, clones, CopyOnWriteLimit)
	}
	return RestoreCopyOnWrite, "copy-on-write: shares the storage of " + id
}

// restoreOf is the restore kind of a clone being finished: the preflight's
// prediction, or for a followed stack (no preflight) the one its stack
// was tagged with when it was created; a stack from before that tag is
// taken to be what its artifact asks for.
func restoreOf(a *Artifact, pf *Preflight, stackTags map[string]string) (fullCopy bool, note string) {
	kind, note := predictRestore(a.Source, a.Source.ClusterID, 0)
	switch {
	case pf != nil && pf.Restore != "":
		kind, note = pf.Restore, pf.RestoreNote
	case stackTags[TagRestore] == RestoreFullCopy && kind == RestoreCopyOnWrite:
		kind, note = RestoreFullCopy, FullCopyNote+": it was predicted when the stack was created (its source's clone group was at Aurora's limit of copy-on-write clones)"
	}
	return kind != RestoreCopyOnWrite, note
}
