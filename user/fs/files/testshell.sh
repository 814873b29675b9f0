# testshell.sh: testshell runs "sh < testshell.sh > testshell.out" and
# compares testshell.out with testshell.key, byte for byte.
echo testshell: start
echo "a quoted   word" and more
echo one two three > testshell.tmp
cat testshell.tmp
cat < testshell.tmp | num
cat motd | num | cat
echo -n no newline here
echo
num < testshell.tmp > testshell.tmp2
cat testshell.tmp2
echo testshell: end
