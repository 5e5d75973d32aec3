/**
 * The imaging engine: plain Java, no framework. It reads disks, understands their partition tables
 * and filesystems well enough to image only allocated blocks, cuts each disk into fixed-size
 * chunks, stores each distinct chunk once in a repository, and records every image as a manifest.
 *
 * <p>Terms used throughout:
 *
 * <ul>
 *   <li><b>disk</b>: a raw image file or block device, read as a flat array of bytes;
 *   <li><b>layout</b>: the disk's partition table (MBR or GPT) as parsed;
 *   <li><b>used map</b>: the byte ranges of a disk that hold data worth imaging;
 *   <li><b>chunk</b>: a fixed-size slice of a disk; its id (digest) is the SHA-256 of its plain
 *       content after unused bytes are zeroed;
 *   <li><b>repository</b>: a directory of chunk blobs and manifests ({@code
 *       docs/repository-format.md});
 *   <li><b>manifest</b>: one image: which chunks make up each disk, in order.
 * </ul>
 */
package io.holdfast.engine;
