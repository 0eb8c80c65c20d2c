/**
 * Run history analysis: durations and sizes of past runs' steps ({@code runs --stats}) and the
 * anomaly warnings of a run that ended (a dump or snapshot much smaller or slower than usual).
 * Pure: run records in, values out.
 */
package dev.stackback.history;
