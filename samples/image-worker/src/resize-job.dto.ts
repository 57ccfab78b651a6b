import { IsInt, IsUrl, Max, Min } from 'class-validator';

/** The body of a `resize` job. */
export class ResizeJobDto {
  @IsUrl({ require_tld: false })
  url!: string;

  @IsInt()
  @Min(1)
  @Max(8192)
  width!: number;
}
