/*
 * Lab 1's boot-time checks (lab1/checks.c), which i386_init runs.
 */
#ifndef LAB1_CHECKS_H
#define LAB1_CHECKS_H

/* Prints a sample of printf conversions; returns the grader's number
 * (printf=N on the kernel command line), or 0. */
unsigned long printf_sample(void);

/* Calls itself down to depth 0, which runs mon_backtrace. */
void test_backtrace(int depth);

#endif /* !LAB1_CHECKS_H */
