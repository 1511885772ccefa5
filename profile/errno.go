package profile

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

type errnoName struct {
	name string
	nr   uint16
}

// errnoNumber reads errno or defaultErrno as containers/common does: a
// decimal number, or a name, which it takes on the host. The importer
// takes it on the target, whose numbers are Linux's generic ones but for
// MIPS (a table of its own) and PowerPC (EDEADLOCK is 58); an empty
// target, Parse's, takes the generic ones.
func errnoNumber(target specs.Arch, s string) (uint64, error) {
	if v, err := strconv.ParseUint(s, 10, 32); err == nil {
		return v, nil
	}
	table := errnoNumbers[:]
	switch errnoFamily(target) {
	case errnoMIPS:
		table = errnoNumbersMIPS[:]
	case errnoPPC:
		if s == "EDEADLOCK" {
			return 58, nil
		}
	}
	i, ok := slices.BinarySearchFunc(table, s, func(e errnoName, s string) int { return strings.Compare(e.name, s) })
	if !ok {
		return 0, fmt.Errorf("unknown errno %q (want a name such as EPERM, or a number)", s)
	}
	return uint64(table[i].nr), nil
}

// The errno numberings: arches of one family number every name alike.
const (
	errnoGeneric = iota
	errnoMIPS
	errnoPPC
)

// errnoFamily returns the numbering an arch's errno names have.
func errnoFamily(target specs.Arch) int {
	switch target {
	case specs.ArchMIPS, specs.ArchMIPSEL, specs.ArchMIPS64, specs.ArchMIPSEL64, specs.ArchMIPS64N32, specs.ArchMIPSEL64N32:
		return errnoMIPS
	case specs.ArchPPC, specs.ArchPPC64, specs.ArchPPC64LE:
		return errnoPPC
	}
	return errnoGeneric
}

// errnoNumbers are the errno names containers/common's profiles spell in
// errno and defaultErrno, with Linux's generic numbers
// (include/uapi/asm-generic/errno*.h), which x86_64, aarch64 and riscv64
// share. Taken from golang.org/x/sys v0.50.0, unix/zerrors_linux.go and
// unix/zerrors_linux_riscv64.go (identical for amd64 and arm64), sorted by
// name for a binary search.
var errnoNumbers = [...]errnoName{
	{"E2BIG", 7},
	{"EACCES", 13},
	{"EADDRINUSE", 98},
	{"EADDRNOTAVAIL", 99},
	{"EADV", 68},
	{"EAFNOSUPPORT", 97},
	{"EAGAIN", 11},
	{"EALREADY", 114},
	{"EBADE", 52},
	{"EBADF", 9},
	{"EBADFD", 77},
	{"EBADMSG", 74},
	{"EBADR", 53},
	{"EBADRQC", 56},
	{"EBADSLT", 57},
	{"EBFONT", 59},
	{"EBUSY", 16},
	{"ECANCELED", 125},
	{"ECHILD", 10},
	{"ECHRNG", 44},
	{"ECOMM", 70},
	{"ECONNABORTED", 103},
	{"ECONNREFUSED", 111},
	{"ECONNRESET", 104},
	{"EDEADLK", 35},
	{"EDEADLOCK", 35},
	{"EDESTADDRREQ", 89},
	{"EDOM", 33},
	{"EDOTDOT", 73},
	{"EDQUOT", 122},
	{"EEXIST", 17},
	{"EFAULT", 14},
	{"EFBIG", 27},
	{"EFSBADCRC", 74},
	{"EFSCORRUPTED", 117},
	{"EFTYPE", 134},
	{"EHOSTDOWN", 112},
	{"EHOSTUNREACH", 113},
	{"EHWPOISON", 133},
	{"EIDRM", 43},
	{"EILSEQ", 84},
	{"EINPROGRESS", 115},
	{"EINTR", 4},
	{"EINVAL", 22},
	{"EIO", 5},
	{"EISCONN", 106},
	{"EISDIR", 21},
	{"EISNAM", 120},
	{"EKEYEXPIRED", 127},
	{"EKEYREJECTED", 129},
	{"EKEYREVOKED", 128},
	{"EL2HLT", 51},
	{"EL2NSYNC", 45},
	{"EL3HLT", 46},
	{"EL3RST", 47},
	{"ELIBACC", 79},
	{"ELIBBAD", 80},
	{"ELIBEXEC", 83},
	{"ELIBMAX", 82},
	{"ELIBSCN", 81},
	{"ELNRNG", 48},
	{"ELOOP", 40},
	{"EMEDIUMTYPE", 124},
	{"EMFILE", 24},
	{"EMLINK", 31},
	{"EMSGSIZE", 90},
	{"EMULTIHOP", 72},
	{"ENAMETOOLONG", 36},
	{"ENAVAIL", 119},
	{"ENETDOWN", 100},
	{"ENETRESET", 102},
	{"ENETUNREACH", 101},
	{"ENFILE", 23},
	{"ENOANO", 55},
	{"ENOBUFS", 105},
	{"ENOCSI", 50},
	{"ENODATA", 61},
	{"ENODEV", 19},
	{"ENOENT", 2},
	{"ENOEXEC", 8},
	{"ENOKEY", 126},
	{"ENOLCK", 37},
	{"ENOLINK", 67},
	{"ENOMEDIUM", 123},
	{"ENOMEM", 12},
	{"ENOMSG", 42},
	{"ENONET", 64},
	{"ENOPKG", 65},
	{"ENOPROTOOPT", 92},
	{"ENOSPC", 28},
	{"ENOSR", 63},
	{"ENOSTR", 60},
	{"ENOSYS", 38},
	{"ENOTBLK", 15},
	{"ENOTCONN", 107},
	{"ENOTDIR", 20},
	{"ENOTEMPTY", 39},
	{"ENOTNAM", 118},
	{"ENOTRECOVERABLE", 131},
	{"ENOTSOCK", 88},
	{"ENOTSUP", 95},
	{"ENOTTY", 25},
	{"ENOTUNIQ", 76},
	{"ENXIO", 6},
	{"EOPNOTSUPP", 95},
	{"EOVERFLOW", 75},
	{"EOWNERDEAD", 130},
	{"EPERM", 1},
	{"EPFNOSUPPORT", 96},
	{"EPIPE", 32},
	{"EPROTO", 71},
	{"EPROTONOSUPPORT", 93},
	{"EPROTOTYPE", 91},
	{"ERANGE", 34},
	{"EREMCHG", 78},
	{"EREMOTE", 66},
	{"EREMOTEIO", 121},
	{"ERESTART", 85},
	{"ERFKILL", 132},
	{"EROFS", 30},
	{"ESHUTDOWN", 108},
	{"ESOCKTNOSUPPORT", 94},
	{"ESPIPE", 29},
	{"ESRCH", 3},
	{"ESRMNT", 69},
	{"ESTALE", 116},
	{"ESTRPIPE", 86},
	{"ETIME", 62},
	{"ETIMEDOUT", 110},
	{"ETOOMANYREFS", 109},
	{"ETXTBSY", 26},
	{"EUCLEAN", 117},
	{"EUNATCH", 49},
	{"EUSERS", 87},
	{"EWOULDBLOCK", 11},
	{"EXDEV", 18},
	{"EXFULL", 54},
}

// errnoNumbersMIPS are the same names with the numbers of the MIPS ABIs (o32,
// n32 and n64 share them: arch/mips/include/uapi/asm/errno.h), from
// golang.org/x/sys v0.50.0, unix/zerrors_linux.go and
// unix/zerrors_linux_mips.go (identical for mipsle, mips64 and mips64le).
var errnoNumbersMIPS = [...]errnoName{
	{"E2BIG", 7},
	{"EACCES", 13},
	{"EADDRINUSE", 125},
	{"EADDRNOTAVAIL", 126},
	{"EADV", 68},
	{"EAFNOSUPPORT", 124},
	{"EAGAIN", 11},
	{"EALREADY", 149},
	{"EBADE", 50},
	{"EBADF", 9},
	{"EBADFD", 81},
	{"EBADMSG", 77},
	{"EBADR", 51},
	{"EBADRQC", 54},
	{"EBADSLT", 55},
	{"EBFONT", 59},
	{"EBUSY", 16},
	{"ECANCELED", 158},
	{"ECHILD", 10},
	{"ECHRNG", 37},
	{"ECOMM", 70},
	{"ECONNABORTED", 130},
	{"ECONNREFUSED", 146},
	{"ECONNRESET", 131},
	{"EDEADLK", 45},
	{"EDEADLOCK", 56},
	{"EDESTADDRREQ", 96},
	{"EDOM", 33},
	{"EDOTDOT", 73},
	{"EDQUOT", 1133},
	{"EEXIST", 17},
	{"EFAULT", 14},
	{"EFBIG", 27},
	{"EFSBADCRC", 77},
	{"EFSCORRUPTED", 135},
	{"EFTYPE", 169},
	{"EHOSTDOWN", 147},
	{"EHOSTUNREACH", 148},
	{"EHWPOISON", 168},
	{"EIDRM", 36},
	{"EILSEQ", 88},
	{"EINIT", 141},
	{"EINPROGRESS", 150},
	{"EINTR", 4},
	{"EINVAL", 22},
	{"EIO", 5},
	{"EISCONN", 133},
	{"EISDIR", 21},
	{"EISNAM", 139},
	{"EKEYEXPIRED", 162},
	{"EKEYREJECTED", 164},
	{"EKEYREVOKED", 163},
	{"EL2HLT", 44},
	{"EL2NSYNC", 38},
	{"EL3HLT", 39},
	{"EL3RST", 40},
	{"ELIBACC", 83},
	{"ELIBBAD", 84},
	{"ELIBEXEC", 87},
	{"ELIBMAX", 86},
	{"ELIBSCN", 85},
	{"ELNRNG", 41},
	{"ELOOP", 90},
	{"EMEDIUMTYPE", 160},
	{"EMFILE", 24},
	{"EMLINK", 31},
	{"EMSGSIZE", 97},
	{"EMULTIHOP", 74},
	{"ENAMETOOLONG", 78},
	{"ENAVAIL", 138},
	{"ENETDOWN", 127},
	{"ENETRESET", 129},
	{"ENETUNREACH", 128},
	{"ENFILE", 23},
	{"ENOANO", 53},
	{"ENOBUFS", 132},
	{"ENOCSI", 43},
	{"ENODATA", 61},
	{"ENODEV", 19},
	{"ENOENT", 2},
	{"ENOEXEC", 8},
	{"ENOKEY", 161},
	{"ENOLCK", 46},
	{"ENOLINK", 67},
	{"ENOMEDIUM", 159},
	{"ENOMEM", 12},
	{"ENOMSG", 35},
	{"ENONET", 64},
	{"ENOPKG", 65},
	{"ENOPROTOOPT", 99},
	{"ENOSPC", 28},
	{"ENOSR", 63},
	{"ENOSTR", 60},
	{"ENOSYS", 89},
	{"ENOTBLK", 15},
	{"ENOTCONN", 134},
	{"ENOTDIR", 20},
	{"ENOTEMPTY", 93},
	{"ENOTNAM", 137},
	{"ENOTRECOVERABLE", 166},
	{"ENOTSOCK", 95},
	{"ENOTSUP", 122},
	{"ENOTTY", 25},
	{"ENOTUNIQ", 80},
	{"ENXIO", 6},
	{"EOPNOTSUPP", 122},
	{"EOVERFLOW", 79},
	{"EOWNERDEAD", 165},
	{"EPERM", 1},
	{"EPFNOSUPPORT", 123},
	{"EPIPE", 32},
	{"EPROTO", 71},
	{"EPROTONOSUPPORT", 120},
	{"EPROTOTYPE", 98},
	{"ERANGE", 34},
	{"EREMCHG", 82},
	{"EREMDEV", 142},
	{"EREMOTE", 66},
	{"EREMOTEIO", 140},
	{"ERESTART", 91},
	{"ERFKILL", 167},
	{"EROFS", 30},
	{"ESHUTDOWN", 143},
	{"ESOCKTNOSUPPORT", 121},
	{"ESPIPE", 29},
	{"ESRCH", 3},
	{"ESRMNT", 69},
	{"ESTALE", 151},
	{"ESTRPIPE", 92},
	{"ETIME", 62},
	{"ETIMEDOUT", 145},
	{"ETOOMANYREFS", 144},
	{"ETXTBSY", 26},
	{"EUCLEAN", 135},
	{"EUNATCH", 42},
	{"EUSERS", 94},
	{"EWOULDBLOCK", 11},
	{"EXDEV", 18},
	{"EXFULL", 52},
}
