/* Origin: the ARM-private system calls of the kernel's
 * arch/arm/include/uapi/asm/unistd.h (torvalds/linux), copied unmodified
 * below this comment: the stored torvalds/linux versions
 * (c489d98c8c81a898cfed6bec193cca2006f956aa, 02b5a6031ba7a8cbfde5d65ff9e13ecdbc4a92ca)
 * end at set_tls; get_tls (+6) is in the current header, as the search
 * index holds it (find_string "#define __ARM_NR_get_tls"). libseccomp 2.5.4
 * resolves the same names to the same numbers on SCMP_ARCH_ARM.
 * On EABI, which is all Go and AUDIT_ARCH_ARM cover, __NR_SYSCALL_BASE is 0.
 * internal/mksysnum reads the __ARM_NR_ defines into the arm table's sparse
 * part. */
#define __ARM_NR_BASE			(__NR_SYSCALL_BASE+0x0f0000)
#define __ARM_NR_breakpoint		(__ARM_NR_BASE+1)
#define __ARM_NR_cacheflush		(__ARM_NR_BASE+2)
#define __ARM_NR_usr26			(__ARM_NR_BASE+3)
#define __ARM_NR_usr32			(__ARM_NR_BASE+4)
#define __ARM_NR_set_tls		(__ARM_NR_BASE+5)
#define __ARM_NR_get_tls		(__ARM_NR_BASE+6)
