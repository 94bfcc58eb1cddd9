// SPDX-License-Identifier: GPL-2.0
/*
 * A real kselftest_harness program (the kernel's own harness header, compiled from the source tree under test) with
 * one passing, one failing and one skipping test: what a harness-based selftest prints, for KselftestLocalTest.
 */
#include "kselftest_harness.h"

TEST(passes)
{
	ASSERT_EQ(1, 1);
}

TEST(fails)
{
	int expected = 2;

	ASSERT_EQ(1, expected);
}

TEST(skips)
{
	SKIP(return, "needs a unicorn");
}

TEST_HARNESS_MAIN
