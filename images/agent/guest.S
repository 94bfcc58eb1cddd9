/* Tiny 64-bit guest: a command interpreter copied to GPA 0x10000.
 * Position independent (only RIP-relative jumps, absolute GPAs for the mailbox).
 * Host -> guest: mailbox at GPA 0x90000: [0]=cmd [8]=a0 [16]=a1 [24]=a2 [32]=a3
 *                [56]=1 if the CPU is AMD (vmmcall instead of vmcall).
 * Guest -> host: results at [64]=rax [72]=rbx, then OUT to port 0xE0 ("ucall").
 * #MC (vector 18): handler stores MCG_STATUS, MC1_STATUS/ADDR/MISC and the
 * interrupted RIP at GPA 0x90100, OUT to port 0xE1, then (when resumed) clears
 * MC1_STATUS and MCG_STATUS.MCIP and IRETs, so the faulting access is retried.
 * Other exceptions: vector and two stack words at [80],[88],[96], OUT to 0xE2 forever. */
	.section .rodata.guest, "a"
	.code64
	.globl guest_blob_start, guest_blob_end, guest_exc_stubs, guest_mc_handler, guest_c_read
	.balign 4096
guest_blob_start:
g_loop:
	mov	$0x90000, %esi
	mov	0(%rsi), %rax
	mov	8(%rsi), %rdi
	mov	16(%rsi), %rcx
	mov	24(%rsi), %rdx
	mov	32(%rsi), %r8
	xor	%ebx, %ebx
	cmp	$1, %rax
	je	c_read
	cmp	$2, %rax
	je	c_write
	cmp	$3, %rax
	je	c_fill
	cmp	$4, %rax
	je	c_verify
	cmp	$5, %rax
	je	c_touch
	cmp	$6, %rax
	je	c_sum
	cmp	$7, %rax
	je	c_migloop
	cmp	$8, %rax
	je	c_hcall
	cmp	$9, %rax
	je	c_rdmsr
	cmp	$10, %rax
	je	c_wrmsr
	cmp	$11, %rax
	je	c_readloop
	mov	$-1, %rax
	jmp	g_report

c_read:					/* rax = *(u64 *)a0 */
guest_c_read:				/* B7: the #MC's interrupted RIP must be this load */
	mov	(%rdi), %rax
	jmp	g_report
c_write:				/* *(u64 *)a0 = a1 */
	mov	%rcx, (%rdi)
	xor	%eax, %eax
	jmp	g_report
c_fill:					/* memset(a0, a1, a2) */
	mov	%rcx, %rax
	mov	%rdx, %rcx
	cld
	rep stosb
	xor	%eax, %eax
	jmp	g_report
c_verify:				/* rax = #bytes != a1 in [a0, a0+a2), rbx = first bad offset or -1 */
	xor	%eax, %eax
	mov	$-1, %rbx
	xor	%r9d, %r9d
1:	cmp	%rdx, %r9
	jae	g_report
	cmpb	%cl, (%rdi,%r9)
	je	2f
	inc	%rax
	cmp	$-1, %rbx
	jne	2f
	mov	%r9, %rbx
2:	inc	%r9
	jmp	1b
c_touch:				/* touch each 4K page of [a0, a0+a2), write if a1; rax = pages */
	xor	%eax, %eax
	xor	%r9d, %r9d
1:	cmp	%rdx, %r9
	jae	g_report
	test	%rcx, %rcx
	jz	3f
	orb	$0, (%rdi,%r9)
	jmp	4f
3:	movb	(%rdi,%r9), %r10b
4:	inc	%rax
	add	$4096, %r9
	jmp	1b
c_sum:					/* rax = sum of u64 words in [a0, a0+a2) */
	xor	%eax, %eax
	xor	%r9d, %r9d
1:	cmp	%rdx, %r9
	jae	g_report
	add	(%rdi,%r9), %rax
	add	$8, %r9
	jmp	1b
c_migloop:				/* a1 passes over [a0, a0+a2): w = w*5 + pass; acc = rol(acc + w, 1) */
	xor	%r11d, %r11d
	mov	$1, %r12d
1:	cmp	%rcx, %r12
	ja	3f
	xor	%r9d, %r9d
2:	cmp	%rdx, %r9
	jae	4f
	mov	(%rdi,%r9), %r10
	lea	(%r10,%r10,4), %r10
	add	%r12, %r10
	mov	%r10, (%rdi,%r9)
	add	%r10, %r11
	rol	$1, %r11
	add	$8, %r9
	jmp	2b
4:	inc	%r12
	jmp	1b
3:	mov	%r11, %rax
	mov	%r12, %rbx
	jmp	g_report
c_hcall:				/* rax=a0 rbx=a1 rcx=a2 rdx=a3: vmcall or vmmcall; rax = result */
	mov	56(%rsi), %r9
	mov	%rdi, %rax
	mov	%rcx, %rbx
	mov	%rdx, %rcx
	mov	%r8, %rdx
	test	%r9, %r9
	jnz	1f
	vmcall
	jmp	g_report
1:	vmmcall
	jmp	g_report
c_rdmsr:				/* rax = rdmsr(a0) */
	mov	%edi, %ecx
	rdmsr
	shl	$32, %rdx
	or	%rdx, %rax
	jmp	g_report
c_wrmsr:				/* wrmsr(a0, a1) */
	mov	%rcx, %rax
	mov	%rcx, %rdx
	shr	$32, %rdx
	mov	%edi, %ecx
	wrmsr
	xor	%eax, %eax
	jmp	g_report
c_readloop:				/* read *(u64 *)a0 forever */
	mov	(%rdi), %rax
	pause
	jmp	c_readloop

g_report:
	mov	$0x90000, %esi
	mov	%rax, 64(%rsi)
	mov	%rbx, 72(%rsi)
	out	%al, $0xe0
	jmp	g_loop

	.balign 16
guest_mc_handler:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	mov	$0x90100, %esi
	mov	$0x17a, %ecx
	rdmsr
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, 0(%rsi)
	mov	$0x405, %ecx
	rdmsr
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, 8(%rsi)
	mov	$0x406, %ecx
	rdmsr
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, 16(%rsi)
	mov	$0x407, %ecx
	rdmsr
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, 24(%rsi)
	mov	40(%rsp), %rax
	mov	%rax, 32(%rsi)
	mov	%rdi, 40(%rsi)		/* the interrupted access's address (c_read's a0): B7 compares MC1_ADDR */
	mov	$18, %eax
	out	%al, $0xe1
	xor	%eax, %eax
	xor	%edx, %edx
	mov	$0x405, %ecx
	wrmsr
	mov	$0x17a, %ecx
	wrmsr
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	iretq

	.balign 16
guest_exc_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.balign 16
	pushq	$\v
	jmp	exc_common
	.endr
exc_common:
	mov	$0x90000, %esi
	mov	(%rsp), %rax
	mov	%rax, 80(%rsi)
	mov	8(%rsp), %rbx
	mov	%rbx, 88(%rsi)
	mov	16(%rsp), %rcx
	mov	%rcx, 96(%rsi)
1:	out	%al, $0xe2
	jmp	1b
guest_blob_end:
	.section .note.GNU-stack, "", @progbits
