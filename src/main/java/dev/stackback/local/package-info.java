/** {@link dev.stackback.local.ProcessLocalShell}: hooks that run where stack-back itself runs. */
package dev.stackback.local;
