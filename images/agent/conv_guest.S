/* Guest for conversions.v11 (conv_v11.c): one interpreter shared by several vCPUs, each with its own
 * mailbox, whose GPA the host puts in %r15 (guest.S's interpreter has one fixed mailbox, so it cannot run
 * on two vCPUs at once). Mailbox: [0]=cmd [8]=a0 [16]=a1 [24]=a2 [40]=1 on AMD (vmmcall), results at
 * [64]=rax [72]=rbx, then OUT to port 0xE0. Runs at CPL0 (KVM_HC_MAP_GPA_RANGE needs it).
 * Fill and verify work on u64 words: every size the host asks for is a multiple of 8. */
	.section .rodata.convguest, "a"
	.code64
	.globl conv_guest_start, conv_guest_end
	.balign 16
conv_guest_start:
cg_loop:
	mov	0(%r15), %rax
	mov	8(%r15), %rdi
	mov	16(%r15), %rcx
	mov	24(%r15), %rdx
	xor	%ebx, %ebx
	cmp	$1, %rax
	je	cg_fill
	cmp	$2, %rax
	je	cg_verify
	cmp	$3, %rax
	je	cg_hcall
	cmp	$4, %rax
	je	cg_read
	mov	$-1, %rax
	jmp	cg_report
cg_fill:				/* a1 (a byte) in every byte of [a0, a0+a2) */
	movzbl	%cl, %eax
	movabs	$0x0101010101010101, %r9
	imul	%r9, %rax
	mov	%rdx, %rcx
	shr	$3, %rcx
	cld
	rep stosq
	xor	%eax, %eax
	jmp	cg_report
cg_verify:				/* rax = #u64 words != a1 repeated in [a0, a0+a2), rbx = first bad offset or -1 */
	movzbl	%cl, %r10d
	movabs	$0x0101010101010101, %r9
	imul	%r9, %r10
	xor	%eax, %eax
	mov	$-1, %rbx
	xor	%r9d, %r9d
1:	cmp	%rdx, %r9
	jae	cg_report
	cmp	%r10, (%rdi,%r9)
	je	2f
	inc	%rax
	cmp	$-1, %rbx
	jne	2f
	mov	%r9, %rbx
2:	add	$8, %r9
	jmp	1b
cg_hcall:				/* KVM_HC_MAP_GPA_RANGE(gpa a0, a1 pages, flags a2): rax = its result */
	mov	%rdi, %rbx
	mov	$12, %eax
	cmpq	$0, 40(%r15)
	jne	3f
	vmcall
	jmp	cg_report
3:	vmmcall
	jmp	cg_report
cg_read:				/* rax = the byte at a0 (may exit with KVM_EXIT_MEMORY_FAULT) */
	movzbl	(%rdi), %eax
	jmp	cg_report
cg_report:
	mov	%rax, 64(%r15)
	mov	%rbx, 72(%r15)
	out	%al, $0xe0
	jmp	cg_loop
conv_guest_end:
	.section .note.GNU-stack, "", @progbits
